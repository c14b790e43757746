/* SSD anchors as MediaPipe's SsdAnchorsCalculator computes them for the
 * BlazeFace graphs. With fixed_anchor_size only the centres matter. */
#include "fa-blazeface.h"

int fa_ssd_anchors(int input_size, const int *strides, int n_layers, fa_anchor *out,
                   int max_out) {
  int n = 0;
  int layer = 0;
  while (layer < n_layers) {
    /* Layers sharing a stride are merged into one grid; each contributes
     * two anchors per cell (aspect ratio 1.0 and the interpolated scale). */
    int last = layer, per_cell = 0;
    while (last < n_layers && strides[last] == strides[layer]) {
      per_cell += 2;
      last++;
    }
    int fm = (input_size + strides[layer] - 1) / strides[layer];
    for (int y = 0; y < fm; y++)
      for (int x = 0; x < fm; x++)
        for (int k = 0; k < per_cell; k++) {
          if (n >= max_out)
            return -1;
          out[n].x = ((float)x + 0.5f) / (float)fm;
          out[n].y = ((float)y + 0.5f) / (float)fm;
          n++;
        }
    layer = last;
  }
  return n;
}

int fa_blazeface_anchors(int input_size, fa_anchor *out, int max_out) {
  /* face_detection_short_range (front, 128) and the back-camera 256 model. */
  static const int front[4] = {8, 16, 16, 16};
  static const int back[4] = {16, 32, 32, 32};
  return fa_ssd_anchors(input_size, input_size >= 256 ? back : front, 4, out, max_out);
}
