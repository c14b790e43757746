/* View planning for small faces on large frames: see fa-tiles.h. */
#include <math.h>

#include "fa-tiles.h"

/* Positions of n tiles of side `tile` spread evenly over [0, extent). */
static float tile_pos(int i, int n, float extent, float tile) {
  if (n <= 1)
    return 0.5f * (extent - tile);
  return (float)i * (extent - tile) / (float)(n - 1);
}

int fa_plan_views(int width, int height, const fa_tiling *t, fa_view *views, int max_views) {
  if (max_views < 1)
    return 0;
  float longer = (float)(width > height ? width : height);
  float side0 = longer * (t->canvas_scale > 1.f ? t->canvas_scale : 1.f);
  fa_view whole = {0.5f * ((float)width - side0), 0.5f * ((float)height - side0), side0, 0, 0, 0, 0};
  views[0] = whole;
  int n = 1;
  float scale0 = (float)t->input_size / side0;
  if (!t->tiles || t->min_face * scale0 >= t->reliable_size)
    return n;

  /* Tile side at which a min_face face reaches the reliable size; never
   * upsample (a tile smaller than the input adds no detail). */
  float tile = (float)t->input_size * t->min_face / t->reliable_size;
  if (tile < (float)t->input_size)
    tile = (float)t->input_size;
  if (tile >= longer)
    return n;
  /* Faces the whole view may miss must fit wholly in some tile. */
  float overlap = 1.25f * t->reliable_size / scale0;
  if (overlap > 0.5f * tile)
    overlap = 0.5f * tile;
  int cols = (float)width <= tile ? 1 : (int)ceilf(((float)width - overlap) / (tile - overlap));
  int rows = (float)height <= tile ? 1 : (int)ceilf(((float)height - overlap) / (tile - overlap));
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) {
      if (n >= max_views)
        return n;
      fa_view v;
      v.x = tile_pos(c, cols, (float)width, tile);
      v.y = tile_pos(r, rows, (float)height, tile);
      v.side = tile;
      v.cut_left = v.x > 0.5f;
      v.cut_top = v.y > 0.5f;
      v.cut_right = v.x + tile < (float)width - 0.5f;
      v.cut_bottom = v.y + tile < (float)height - 0.5f;
      views[n++] = v;
    }
  return n;
}
