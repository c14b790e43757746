/* fa_models_load refuses missing, corrupt and wrong-role models with a
 * message naming the file; the bundled models load and run on a blank
 * frame without finding faces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa-core.h"
#include "test-core-util.h"

static char *model(const char *name) { return fa_default_model_path(name); }

int main(void) {
  char *front = model("blazeface-front-128.onnx"), *back = model("blazeface-back-256.onnx"),
       *ag = model("age-gender.onnx");
  FILE *probe = fopen(front, "rb");
  if (!probe) {
    printf("SKIP: bundled models not found (%s)\n", front);
    return 77;
  }
  fclose(probe);
  fa_error err;
  fa_models_config cfg = {0};

  /* Missing file. */
  cfg.short_model_path = "/nonexistent/dir/front.onnx";
  memset(&err, 0, sizeof err);
  CHECK(fa_models_load(&cfg, &err) == NULL, "missing file loaded");
  CHECK(strstr(err.message, "/nonexistent/dir/front.onnx") != NULL, "message: %s", err.message);

  /* Corrupt file. */
  const char *bad = "test-models-errors-corrupt.onnx";
  FILE *f = fopen(bad, "wb");
  if (f) {
    fputs("this is not a protobuf \x01\x02\x03", f);
    fclose(f);
  }
  cfg.short_model_path = bad;
  memset(&err, 0, sizeof err);
  CHECK(fa_models_load(&cfg, &err) == NULL, "corrupt file loaded");
  CHECK(strstr(err.message, bad) != NULL, "message: %s", err.message);
  remove(bad);

  /* Wrong role: the age/gender net as a detector and vice versa. */
  cfg.short_model_path = ag;
  memset(&err, 0, sizeof err);
  CHECK(fa_models_load(&cfg, &err) == NULL, "age-gender accepted as detector");
  CHECK(strstr(err.message, "age-gender.onnx") != NULL, "message: %s", err.message);
  cfg.short_model_path = NULL;
  cfg.attributes_model_path = back;
  memset(&err, 0, sizeof err);
  CHECK(fa_models_load(&cfg, &err) == NULL, "detector accepted as age-gender");
  CHECK(strstr(err.message, "blazeface-back-256.onnx") != NULL, "message: %s", err.message);

  /* The bundled set loads; a flat grey frame has no face, in any format. */
  cfg.attributes_model_path = NULL;
  memset(&err, 0, sizeof err);
  fa_models *m = fa_models_load(&cfg, &err);
  CHECK(m != NULL, "bundled models: %s", err.message);
  if (m) {
    fa_analyzer *a = fa_analyzer_new(m, 1, &err);
    CHECK(a != NULL, "analyzer: %s", err.message);
    enum { FW = 333, FH = 211 };
    static uint8_t y[FW * FH], uv[FW * FH];
    memset(y, 128, sizeof y);
    memset(uv, 128, sizeof uv);
    fa_frame fr = {FA_FMT_NV12, FW, FH, {y, uv, NULL}, {FW, FW + 1, 0}};
    fa_face faces[8];
    fa_detect_params dp;
    fa_detect_params_init(&dp);
    for (int k = FA_DETECTOR_SHORT; a && k <= FA_DETECTOR_AUTO; k++) {
      dp.detector = (fa_detector_kind)k;
      int n = fa_detect(a, &fr, &dp, faces, 8, &err);
      CHECK(n == 0, "detector %d found %d faces on a flat frame (%s)", k, n, n < 0 ? err.message : "");
    }
    /* A bad frame is an error with a message, not a crash. */
    fr.planes[1] = NULL;
    CHECK(a && fa_detect(a, &fr, &dp, faces, 8, &err) == -1 && err.message[0], "bad frame");
    fa_analyzer_free(a);
    fa_models_free(m);
  }
  free(front);
  free(back);
  free(ag);
  return test_result("test-models-errors");
}
