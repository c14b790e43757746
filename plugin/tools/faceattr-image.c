/* faceattr-image: faces, age and gender in photos, through the same core as
 * the GStreamer element.
 *
 *   faceattr-image [--json] [--annotate OUT.png] [--detector short|long|auto] PHOTO...
 *
 * Prints one line per photo (JSON with --json). A photo that cannot be read
 * is reported on stderr and the others are still processed; the exit status
 * is non-zero if any failed. */
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa-core.h"
#include "fa-image-io.h"

#define MAX_FACES 256

typedef struct options {
  int json;
  const char *annotate;
  fa_detect_params dp;
  fa_classify_params cp;
  int second_look;
  int attributes;
  int threads;
} options;

static void usage(FILE *to) {
  fprintf(to,
          "usage: faceattr-image [options] PHOTO...\n"
          "  --json                one JSON line per photo: {\"file\",\"width\",\"height\",\"objects\"}\n"
          "  --annotate OUT.png    draw boxes and labels (several photos: OUT-1.png, OUT-2.png, ...)\n"
          "  --detector KIND       short | long | auto (default auto)\n"
          "  --threshold T         minimum detection score (default 0.5)\n"
          "  --no-align            do not turn the face crop upright\n"
          "  --no-mirror           do not average with the mirrored crop\n"
          "  --no-second-look      do not retry a photo without faces on a larger canvas\n"
          "                        (the element's behaviour)\n"
          "  --no-attributes       detect only (no age/gender)\n"
          "  --threads N           threads per network run (default 1)\n"
          "Models: $FACEATTR_MODEL_DIR, else the source tree's or the installed models/.\n");
}

/* JSON string literal of s into out. */
static void json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

static char *annotate_name(const char *base, int index, int count) {
  if (count <= 1)
    return g_strdup(base);
  const char *dot = strrchr(base, '.');
  if (!dot || strchr(dot, '/'))
    return g_strdup_printf("%s-%d", base, index + 1);
  return g_strdup_printf("%.*s-%d%s", (int)(dot - base), base, index + 1, dot);
}

static void print_text(const char *file, const fa_frame *f, const fa_face *faces, int n) {
  printf("%s: %dx%d, %d face%s\n", file, f->width, f->height, n, n == 1 ? "" : "s");
  for (int i = 0; i < n; i++) {
    const fa_face *g = &faces[i];
    printf("  face %d: box %.0f,%.0f %.0fx%.0f score %.2f", i + 1, g->x, g->y, g->w, g->h,
           g->confidence);
    if (g->has_attributes)
      printf("  %s %.0f%%  age %.1f (%s)", g->gender == FA_GENDER_MALE ? "male" : "female",
             100.f * g->gender_conf, g->age, fa_age_group_label(g->age_group));
    printf("\n");
  }
}

static int process(fa_analyzer *a, const options *o, const char *file, int index, int count) {
  fa_image img;
  fa_error err = {{0}};
  if (fa_image_load(file, &img, &err)) {
    fprintf(stderr, "faceattr-image: %s\n", err.message);
    return -1;
  }
  fa_face faces[MAX_FACES];
  int n;
  if (o->second_look && o->attributes) {
    n = fa_analyze_image(a, &img.frame, &o->dp, &o->cp, faces, MAX_FACES, &err);
  } else {
    n = fa_detect(a, &img.frame, &o->dp, faces, MAX_FACES, &err);
    for (int i = 0; o->attributes && n > 0 && i < n; i++)
      if (fa_classify(a, &img.frame, &o->cp, &faces[i], &err)) {
        n = -1;
        break;
      }
  }
  if (n < 0) {
    fprintf(stderr, "faceattr-image: %s: %s\n", file, err.message);
    fa_image_clear(&img);
    return -1;
  }
  if (o->json) {
    size_t need = fa_json_objects(NULL, 0, faces, n, img.frame.width, img.frame.height);
    char *buf = malloc(need + 1);
    if (!buf) {
      fprintf(stderr, "faceattr-image: out of memory\n");
      fa_image_clear(&img);
      return -1;
    }
    fa_json_objects(buf, need + 1, faces, n, img.frame.width, img.frame.height);
    printf("{\"file\":");
    json_string(stdout, file);
    printf(",\"width\":%d,\"height\":%d,\"objects\":%s}\n", img.frame.width, img.frame.height, buf);
    free(buf);
  } else {
    print_text(file, &img.frame, faces, n);
  }
  fflush(stdout);
  int rc = 0;
  if (o->annotate) {
    fa_draw_options dopt = {0};
    dopt.show_confidence = 1;
    fa_draw_faces(&img.frame, faces, n, &dopt);
    char *out = annotate_name(o->annotate, index, count);
    if (fa_image_save_png(&img, out, &err)) {
      fprintf(stderr, "faceattr-image: %s\n", err.message);
      rc = -1;
    }
    g_free(out);
  }
  fa_image_clear(&img);
  return rc;
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  options o = {0};
  fa_detect_params_init(&o.dp);
  fa_classify_params_init(&o.cp);
  o.second_look = 1;
  o.attributes = 1;
  o.threads = 1;
  int first = argc;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (strcmp(s, "--json") == 0) {
      o.json = 1;
    } else if (strcmp(s, "--annotate") == 0 && i + 1 < argc) {
      o.annotate = argv[++i];
    } else if (strcmp(s, "--detector") == 0 && i + 1 < argc) {
      const char *k = argv[++i];
      if (strcmp(k, "short") == 0)
        o.dp.detector = FA_DETECTOR_SHORT;
      else if (strcmp(k, "long") == 0)
        o.dp.detector = FA_DETECTOR_LONG;
      else if (strcmp(k, "auto") == 0)
        o.dp.detector = FA_DETECTOR_AUTO;
      else {
        fprintf(stderr, "faceattr-image: unknown detector '%s' (short, long or auto)\n", k);
        return 2;
      }
    } else if (strcmp(s, "--threshold") == 0 && i + 1 < argc) {
      o.dp.threshold = (float)atof(argv[++i]);
    } else if (strcmp(s, "--threads") == 0 && i + 1 < argc) {
      o.threads = atoi(argv[++i]);
    } else if (strcmp(s, "--no-align") == 0) {
      o.cp.align = 0;
    } else if (strcmp(s, "--no-mirror") == 0) {
      o.cp.mirror = 0;
    } else if (strcmp(s, "--no-attributes") == 0) {
      o.attributes = 0;
    } else if (strcmp(s, "--no-second-look") == 0) {
      o.second_look = 0;
    } else if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(s, "--") == 0) {
      first = i + 1;
      break;
    } else if (s[0] == '-' && s[1] == '-') {
      fprintf(stderr, "faceattr-image: unknown or incomplete option '%s'\n", s);
      usage(stderr);
      return 2;
    } else {
      first = i;
      break;
    }
  }
  if (first >= argc) {
    usage(stderr);
    return 2;
  }

  fa_error err = {{0}};
  fa_models_config cfg = {0};
  fa_models *models = fa_models_load(&cfg, &err);
  if (!models) {
    fprintf(stderr, "faceattr-image: %s\n", err.message);
    return 1;
  }
  fa_analyzer *a = fa_analyzer_new(models, o.threads, &err);
  if (!a) {
    fprintf(stderr, "faceattr-image: %s\n", err.message);
    fa_models_free(models);
    return 1;
  }
  int failed = 0;
  for (int i = first; i < argc; i++)
    if (process(a, &o, argv[i], i - first, argc - first))
      failed++;
  fa_analyzer_free(a);
  fa_models_free(models);
  return failed ? 1 : 0;
}
