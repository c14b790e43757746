/* Adience age groups and the nearest-group mapping of an age in years. */
#include "fa-core.h"

static const struct {
  const char *label;
  float lo, hi;
} groups[FA_AGE_GROUP_COUNT] = {
    {"0-2", 0.f, 2.f},    {"4-6", 4.f, 6.f},    {"8-12", 8.f, 12.f},   {"15-20", 15.f, 20.f},
    {"25-32", 25.f, 32.f}, {"38-43", 38.f, 43.f}, {"48-53", 48.f, 53.f}, {"60+", 60.f, 1e9f},
};

const char *fa_age_group_label(int group) {
  if (group < 0 || group >= FA_AGE_GROUP_COUNT)
    return "?";
  return groups[group].label;
}

/* The distance from an age to a group is 0 inside the group's range and the
 * gap to its nearer end outside it; ties (the middle of a gap: 3, 7, 35, ...) go to the older
 * group. */
int fa_age_group_of(float age) {
  int best = 0;
  float best_d = 1e30f;
  for (int g = 0; g < FA_AGE_GROUP_COUNT; g++) {
    float d = age < groups[g].lo ? groups[g].lo - age : (age > groups[g].hi ? age - groups[g].hi : 0.f);
    if (d <= best_d) {
      best_d = d;
      best = g;
    }
  }
  return best;
}
