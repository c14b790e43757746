/* Which square views of a frame a detector looks at: the whole frame
 * letterboxed, plus overlapping tiles when faces of the wanted minimum size
 * would be too small for the detector in the whole view. */
#ifndef FA_TILES_H
#define FA_TILES_H

#define FA_MAX_VIEWS 64

typedef struct fa_view {
  float x, y, side; /* square in frame pixels (may extend past the frame) */
  /* Edges inside the frame, where a face may be cut: detections touching
   * them are left to a neighbouring view. */
  int cut_left, cut_top, cut_right, cut_bottom;
} fa_view;

typedef struct fa_tiling {
  int input_size;      /* detector input side */
  float canvas_scale;  /* whole view side / longer frame side (>= 1) */
  int tiles;           /* add tiles at all */
  float min_face;      /* smallest face (frame px) the tiles must make visible */
  float reliable_size; /* smallest face (input px) the detector finds reliably */
} fa_tiling;

/* Writes the views (whole frame first) and returns their count. */
int fa_plan_views(int width, int height, const fa_tiling *t, fa_view *views, int max_views);

#endif
