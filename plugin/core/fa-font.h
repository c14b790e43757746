/* faceattr's built-in 5x7 bitmap font for overlay labels. Internal to the
 * core (fa-draw.c); not part of the public fa-core.h API. */
#ifndef FA_FONT_INCLUDED
#define FA_FONT_INCLUDED

#include <stdint.h>

#define FA_FONT_W 5 /* glyph cell width in font pixels */
#define FA_FONT_H 7 /* glyph cell height */
#define FA_FONT_ADVANCE 6 /* one column of space between glyphs */

/* Rows of the glyph for `c`, top first; bit 4 is the leftmost pixel.
 * Lower-case letters use the upper-case glyphs; characters the font lacks
 * draw as a hollow box, so a missing glyph is visible rather than silent. */
const uint8_t *fa_font_glyph(char c);

#endif /* FA_FONT_INCLUDED */
