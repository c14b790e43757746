/* Overlay drawing: face boxes and labels ("F 27", "M 35") written in place
 * into a frame of any supported format. Everything is reduced to one
 * primitive, a clipped solid rectangle, which knows how each format stores a
 * pixel: packed RGB variants by channel offsets, GRAY8 by luma, I420 and NV12
 * directly in YUV (luma per pixel, chroma per 2x2 block), so no conversion of
 * the frame is ever needed. Clipping happens in that one place, so nothing
 * can be written outside the frame. */
#include "fa-core.h"
#include "fa-font.h"

#include <stdio.h>
#include <string.h>

typedef struct rgb {
  uint8_t r, g, b;
} rgb;

typedef struct yuv {
  uint8_t y, u, v;
} yuv;

/* Byte offsets of R, G, B (and alpha, -1 if none) and bytes per pixel. */
typedef struct packed_layout {
  int r, g, b, a, bpp;
} packed_layout;

static const packed_layout packed_layouts[FA_FMT_I420] = {
  [FA_FMT_RGB] = {0, 1, 2, -1, 3},  [FA_FMT_BGR] = {2, 1, 0, -1, 3},
  [FA_FMT_RGBX] = {0, 1, 2, -1, 4}, [FA_FMT_BGRX] = {2, 1, 0, -1, 4},
  [FA_FMT_XRGB] = {1, 2, 3, -1, 4}, [FA_FMT_XBGR] = {3, 2, 1, -1, 4},
  [FA_FMT_RGBA] = {0, 1, 2, 3, 4},  [FA_FMT_BGRA] = {2, 1, 0, 3, 4},
  [FA_FMT_ARGB] = {1, 2, 3, 0, 4},  [FA_FMT_ABGR] = {3, 2, 1, 0, 4},
};

static uint8_t clamp_u8(int v)
{
  return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* BT.601 limited range, what 8-bit YUV video almost always uses. */
static yuv rgb_to_yuv(rgb c)
{
  yuv o;
  o.y = clamp_u8(((66 * c.r + 129 * c.g + 25 * c.b + 128) >> 8) + 16);
  o.u = clamp_u8(((-38 * c.r - 74 * c.g + 112 * c.b + 128) >> 8) + 128);
  o.v = clamp_u8(((112 * c.r - 94 * c.g - 18 * c.b + 128) >> 8) + 128);
  return o;
}

/* Fills [x0,x1) x [y0,y1), clipped to the frame. */
static void fill_rect(fa_frame *f, int x0, int y0, int x1, int y1, rgb c)
{
  if (x0 < 0)
    x0 = 0;
  if (y0 < 0)
    y0 = 0;
  if (x1 > f->width)
    x1 = f->width;
  if (y1 > f->height)
    y1 = f->height;
  if (x0 >= x1 || y0 >= y1)
    return;

  if (f->format < FA_FMT_I420) {
    const packed_layout *l = &packed_layouts[f->format];
    for (int y = y0; y < y1; y++) {
      uint8_t *p = f->planes[0] + (size_t)y * f->strides[0] + (size_t)x0 * l->bpp;
      for (int x = x0; x < x1; x++, p += l->bpp) {
        p[l->r] = c.r;
        p[l->g] = c.g;
        p[l->b] = c.b;
        if (l->a >= 0)
          p[l->a] = 255;
      }
    }
    return;
  }
  if (f->format == FA_FMT_GRAY8) {
    uint8_t luma = clamp_u8((77 * c.r + 150 * c.g + 29 * c.b + 128) >> 8);
    for (int y = y0; y < y1; y++)
      memset(f->planes[0] + (size_t)y * f->strides[0] + x0, luma, (size_t)(x1 - x0));
    return;
  }

  /* I420 / NV12: luma per pixel; chroma for every 2x2 block the rectangle
   * touches (chroma planes are ceil(w/2) x ceil(h/2), so the block range
   * stays inside them). */
  yuv v = rgb_to_yuv(c);
  for (int y = y0; y < y1; y++)
    memset(f->planes[0] + (size_t)y * f->strides[0] + x0, v.y, (size_t)(x1 - x0));
  int cx0 = x0 / 2, cx1 = (x1 + 1) / 2, cy0 = y0 / 2, cy1 = (y1 + 1) / 2;
  for (int y = cy0; y < cy1; y++) {
    if (f->format == FA_FMT_I420) {
      memset(f->planes[1] + (size_t)y * f->strides[1] + cx0, v.u, (size_t)(cx1 - cx0));
      memset(f->planes[2] + (size_t)y * f->strides[2] + cx0, v.v, (size_t)(cx1 - cx0));
    } else {
      uint8_t *p = f->planes[1] + (size_t)y * f->strides[1] + (size_t)cx0 * 2;
      for (int x = cx0; x < cx1; x++, p += 2) {
        p[0] = v.u;
        p[1] = v.v;
      }
    }
  }
}

static void draw_box(fa_frame *f, int x0, int y0, int x1, int y1, int t, rgb c)
{
  fill_rect(f, x0, y0, x1, y0 + t, c);
  fill_rect(f, x0, y1 - t, x1, y1, c);
  fill_rect(f, x0, y0, x0 + t, y1, c);
  fill_rect(f, x1 - t, y0, x1, y1, c);
}

static int text_width(const char *s, int scale)
{
  int n = (int)strlen(s);
  return n > 0 ? (n * FA_FONT_ADVANCE - 1) * scale : 0;
}

static void draw_text(fa_frame *f, int x, int y, const char *s, int scale, rgb c)
{
  for (; *s; s++, x += FA_FONT_ADVANCE * scale) {
    const uint8_t *rows = fa_font_glyph(*s);
    for (int r = 0; r < FA_FONT_H; r++)
      for (int col = 0; col < FA_FONT_W; col++)
        if (rows[r] & (0x10 >> col))
          fill_rect(f, x + col * scale, y + r * scale, x + (col + 1) * scale,
                    y + (r + 1) * scale, c);
  }
}

static int round_to_int(float v)
{
  return (int)(v < 0 ? v - 0.5f : v + 0.5f);
}

void fa_draw_faces(fa_frame *frame, const fa_face *faces, int n_faces,
                   const fa_draw_options *opts)
{
  static const rgb female = {255, 64, 160}, male = {40, 140, 255}, unknown = {255, 220, 0};
  static const rgb text_fg = {255, 255, 255};
  if (!frame || !faces || frame->width <= 0 || frame->height <= 0)
    return;
  int short_side = frame->width < frame->height ? frame->width : frame->height;
  /* Line and text sizes follow the frame: 2x text (14 px high) at 360p,
   * 3x at 720p, 5x at 1280 lines; 1x below 360p. */
  int scale = (short_side + 120) / 240 > 1 ? (short_side + 120) / 240 : 1;
  int thick = scale;
  int pad = scale;

  for (int i = 0; i < n_faces; i++) {
    const fa_face *fc = &faces[i];
    rgb colour = !fc->has_attributes ? unknown : fc->gender == FA_GENDER_MALE ? male : female;
    int x0 = round_to_int(fc->x), y0 = round_to_int(fc->y);
    int x1 = round_to_int(fc->x + fc->w), y1 = round_to_int(fc->y + fc->h);
    draw_box(frame, x0, y0, x1, y1, thick, colour);

    char label[64];
    int n = 0;
    if (fc->has_attributes)
      n = snprintf(label, sizeof label, "%c %d", fc->gender == FA_GENDER_MALE ? 'M' : 'F',
                   round_to_int(fc->age));
    else
      n = snprintf(label, sizeof label, "?");
    if (opts && opts->show_confidence && n > 0 && (size_t)n < sizeof label)
      n += snprintf(label + n, sizeof label - (size_t)n, " %d%%",
                    round_to_int(100.f * (fc->has_attributes ? fc->gender_conf : fc->confidence)));
    if (opts && opts->show_id && fc->track_id > 0 && n > 0 && (size_t)n < sizeof label)
      snprintf(label + n, sizeof label - (size_t)n, " #%d", fc->track_id);

    /* Label on a filled tab above the box, or inside its top when the box
     * touches the top edge (at row 0 when the box is cut by it). */
    int tw = text_width(label, scale) + 2 * pad, th = FA_FONT_H * scale + 2 * pad;
    int ty = y0 - th >= 0 ? y0 - th : y0 > 0 ? y0 : 0;
    fill_rect(frame, x0, ty, x0 + tw, ty + th, colour);
    draw_text(frame, x0 + pad, ty + pad, label, scale, text_fg);
  }
}
