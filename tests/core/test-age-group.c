/* Adience groups: labels, inside a range, gaps go to the nearer range. */
#include <string.h>

#include "fa-core.h"
#include "test-core-util.h"

int main(void) {
  static const struct {
    float age;
    int group;
  } cases[] = {
      {0, 0},  {2, 0},  {2.9f, 0}, {3, 1},  {3.2f, 1}, {5, 1},  {7, 2},   {6.9f, 1},
      {12, 2}, {13, 2}, {14, 3},   {20, 3}, {22, 3},   {23, 4}, {32, 4},  {35, 5}, {34.9f, 4}, {13.5f, 3}, {56.5f, 7},
      {36, 5}, {45, 5}, {46, 6},   {53, 6}, {56, 6},   {57, 7}, {60, 7},  {116, 7},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK(fa_age_group_of(cases[i].age) == cases[i].group, "age %g -> %d, want %d",
          (double)cases[i].age, fa_age_group_of(cases[i].age), cases[i].group);
  CHECK(strcmp(fa_age_group_label(0), "0-2") == 0, "label 0");
  CHECK(strcmp(fa_age_group_label(7), "60+") == 0, "label 7");
  CHECK(strcmp(fa_age_group_label(8), "?") == 0, "label out of range");
  return test_result("test-age-group");
}
