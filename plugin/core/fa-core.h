/* faceattr's face-analysis core: frame in, faces with box, keypoints, age and
 * gender out. No GStreamer here: the element, the photo tool and the
 * evaluation tools all call this, so that they share one code path.
 *
 *   frame -> detect (letterbox/tiles, BlazeFace, anchors, weighted NMS)
 *         -> align (eye keypoints) -> classify (AgeGenderNet) -> track
 *         -> JSON / overlay
 *
 * Public symbols use the prefix fa_. */
#ifndef FA_CORE_H
#define FA_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fa_pixel_format {
  FA_FMT_RGB = 0,
  FA_FMT_BGR,
  FA_FMT_RGBX,
  FA_FMT_BGRX,
  FA_FMT_XRGB,
  FA_FMT_XBGR,
  FA_FMT_RGBA,
  FA_FMT_BGRA,
  FA_FMT_ARGB,
  FA_FMT_ABGR,
  FA_FMT_I420,
  FA_FMT_NV12,
  FA_FMT_GRAY8,
  FA_FMT_COUNT
} fa_pixel_format;

/* A frame the core reads (and, for drawing, writes) in place. For packed
 * formats only planes[0]/strides[0] are used; I420 uses three planes, NV12
 * two. Strides are in bytes and may exceed the row size. */
typedef struct fa_frame {
  fa_pixel_format format;
  int width, height;
  uint8_t *planes[3];
  int strides[3];
} fa_frame;

typedef struct fa_error {
  char message[512];
} fa_error;

/* Keypoints in MediaPipe's order. */
enum {
  FA_KP_RIGHT_EYE = 0, /* the subject's right eye (left in the image) */
  FA_KP_LEFT_EYE,
  FA_KP_NOSE,
  FA_KP_MOUTH,
  FA_KP_RIGHT_EAR,
  FA_KP_LEFT_EAR,
  FA_KP_COUNT
};

typedef enum fa_gender { FA_GENDER_FEMALE = 0, FA_GENDER_MALE = 1 } fa_gender;

#define FA_AGE_GROUP_COUNT 8
/* Adience groups: "0-2", "4-6", "8-12", "15-20", "25-32", "38-43", "48-53", "60+". */
const char *fa_age_group_label(int group);
/* Index of the Adience group nearest to `age` years. */
int fa_age_group_of(float age);

typedef struct fa_face {
  /* Box in frame pixels (top-left, size). */
  float x, y, w, h;
  float confidence; /* detection score 0..1 */
  float keypoints[FA_KP_COUNT][2];
  /* Attributes: valid when has_attributes is set. */
  int has_attributes;
  float age;         /* years */
  int age_group;     /* fa_age_group_of(age) */
  float male_prob;   /* P(male) 0..1 */
  fa_gender gender;  /* male_prob >= 0.5 ? MALE : FEMALE */
  float gender_conf; /* probability of `gender` */
  int track_id;      /* stable id from the tracker; 0 if untracked */
} fa_face;

typedef enum fa_detector_kind {
  FA_DETECTOR_SHORT = 0, /* BlazeFace front 128x128: faces near the camera */
  FA_DETECTOR_LONG,      /* BlazeFace back 256x256: cameras on a wall */
  FA_DETECTOR_AUTO       /* long-range, plus tiles for small faces on large frames */
} fa_detector_kind;

typedef struct fa_models_config {
  const char *short_model_path; /* NULL: fa_default_model_path("blazeface-front-128.onnx") */
  const char *long_model_path;
  const char *attributes_model_path; /* NULL: the bundled age-gender.onnx */
  int isa;                           /* nnrt_isa, 0 = auto */
} fa_models_config;

/* Loaded networks: immutable, shared by any number of analyzers/threads. */
typedef struct fa_models fa_models;
fa_models *fa_models_load(const fa_models_config *cfg, fa_error *err);
void fa_models_free(fa_models *models);

/* Where a bundled model is: $FACEATTR_MODEL_DIR, else the build tree's models/
 * when run uninstalled, else the installed data dir. Returns a newly
 * allocated path (free()) or NULL. */
char *fa_default_model_path(const char *file_name);

typedef struct fa_detect_params {
  fa_detector_kind detector;
  float threshold;   /* minimum detection score, default 0.5 */
  int min_face_size; /* pixels; smaller faces are dropped */
  int max_faces;     /* keep at most this many, highest scores first */
} fa_detect_params;
void fa_detect_params_init(fa_detect_params *p);

typedef struct fa_classify_params {
  int align;  /* rotate and scale the crop upright from the eye keypoints */
  int mirror; /* average with the mirrored crop */
  int flip;   /* without mirror: look at the mirrored crop instead of the plain one
               * (alternated between a track's estimates, whose mean then
               * averages both at the cost of one) */
  int refine; /* with align: look at the face again with the long-range
               * detector on a view twice the chip before the crop (one more
               * 256x256 run per face): in frames, the first detection's
               * keypoints imply a chip 0.88-0.96 of the true one for faces
               * under 250 px (docs/age-gender-accuracy.md, the mosaic gap) */
} fa_classify_params;
void fa_classify_params_init(fa_classify_params *p);

/* Per-thread state: nnrt contexts and scratch. Not thread-safe itself. */
typedef struct fa_analyzer fa_analyzer;
fa_analyzer *fa_analyzer_new(fa_models *models, int threads, fa_error *err);
void fa_analyzer_free(fa_analyzer *a);

/* Finds faces; writes at most `max_out` into `out` sorted by confidence and
 * returns how many, or -1 with err set. Never converts the whole frame. */
int fa_detect(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *p, fa_face *out,
              int max_out, fa_error *err);

/* fa_detect for consecutive frames of one video (what the element calls):
 * the same faces at a fraction of the cost. With FA_DETECTOR_AUTO on a frame
 * that needs tiles, each call looks at one or two of fa_detect's views
 * (whole frame, tiles) at most: those where the picture changed away from
 * known faces or a face was lost, oldest first, and each view at least
 * every 80 calls; and follows every face found on the previous calls with
 * the short-range network on a small view around it (the long-range one
 * where that misses; a face both miss is reported at its last box for up to
 * 2 calls; a slow, steadily found face is looked at on every second or
 * third call only, and reported where its motion takes it in between). The
 * first call, a new frame size, or more than 16 faces runs every view as
 * fa_detect does. Other detectors and small frames: exactly fa_detect. See
 * fa-detect-video.c. */
int fa_detect_video(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *p,
                    fa_face *out, int max_out, fa_error *err);
/* Forgets the previous frame (after a seek, flush or new stream): the next
 * fa_detect_video call looks at every view. */
void fa_detect_video_reset(fa_analyzer *a);

/* Estimates age and gender of one detected face (box and keypoints set) in
 * place. Returns 0, or -1 with err set. */
int fa_classify(fa_analyzer *a, const fa_frame *frame, const fa_classify_params *p,
                fa_face *face, fa_error *err);

/* Convenience for still images: detect, with a second look on a padded
 * canvas when nothing is found (tight crops), then classify each face. */
int fa_analyze_image(fa_analyzer *a, const fa_frame *frame, const fa_detect_params *dp,
                     const fa_classify_params *cp, fa_face *out, int max_out, fa_error *err);

/* --- tracking (fa-tracker.c) ---------------------------------------------- */
typedef struct fa_tracker fa_tracker;
fa_tracker *fa_tracker_new(void);
void fa_tracker_free(fa_tracker *t);
void fa_tracker_reset(fa_tracker *t);
/* Matches this frame's detections to tracks (IoU), assigns track ids, starts
 * and ends tracks, and updates each track's smoothed age/gender from faces
 * whose has_attributes is set. On return, faces carry their track id and the
 * smoothed attributes. */
void fa_tracker_update(fa_tracker *t, fa_face *faces, int n_faces);
/* Between detector runs: predicts the boxes of live tracks by their motion.
 * Writes at most max_out faces, returns the count. */
int fa_tracker_predict(fa_tracker *t, fa_face *out, int max_out);
/* Whether the track with this id wants a new age/gender estimate now: it
 * has none, or its last one is fa_tracker_estimate_gap() frames (updates and
 * predictions) old, or its box has grown by a quarter since then. Unknown
 * ids want one. With interval <= 1: always. */
int fa_tracker_wants_attributes(const fa_tracker *t, int track_id, int interval);
/* Frames a track waits after its n-th estimate (n >= 1) before the next:
 * 1, 1, 2, 4, 8, ... doubling from the third, at most `interval` (so with
 * interval 32 a face seen for a while is estimated at frames 0, 1, 2, 4, 8,
 * 16, 32, 64, 96, ...). 1 for interval <= 1. */
int fa_tracker_estimate_gap(int n_estimates, int interval);
/* How many age/gender estimates the track with this id has (0 if unknown). */
int fa_tracker_estimates(const fa_tracker *t, int track_id);
/* Adds a fresh estimate (face->has_attributes set, face->track_id from
 * fa_tracker_update on this frame) to its track and replaces the face's
 * attributes with the track's smoothed ones. For callers that classify only
 * after update has assigned ids (the element, to honour reclassify-interval). */
void fa_tracker_add_attributes(fa_tracker *t, fa_face *face);
/* Smoothing on (default): a track's attributes are the running mean of its
 * estimates, each weighted by the frames since the one before it (a mean
 * over the track's frames). Off: the latest estimate (for measuring what
 * smoothing gains). */
void fa_tracker_set_smoothing(fa_tracker *t, int enable);

/* --- output --------------------------------------------------------------- */
/* Appends the JSON array of objects (the element's schema, see README) for
 * these faces to buf. Returns the length that was needed (snprintf style). */
size_t fa_json_objects(char *buf, size_t size, const fa_face *faces, int n_faces, int frame_w,
                       int frame_h);

typedef struct fa_draw_options {
  int show_confidence;
  int show_id;
} fa_draw_options;
/* Draws boxes and labels ("F 27", "M 35") in place in any supported format. */
void fa_draw_faces(fa_frame *frame, const fa_face *faces, int n_faces,
                   const fa_draw_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* FA_CORE_H */
