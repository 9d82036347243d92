/* C ABI contract tests, written in C99 against fairgate.h only.
 * Every entry point is fed bad input (NULL pointers, bad sizes) and must
 * return a status with a message, never crash. */
#include <stdio.h>
#include <string.h>

#include <fairgate/fairgate.h>

static int passed = 0, failed = 0;

#define CHECK(cond)                                                     \
  do {                                                                  \
    if (cond) {                                                         \
      ++passed;                                                         \
    } else {                                                            \
      ++failed;                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                   \
  } while (0)

static void test_versions_agree_with_header(void) {
  CHECK(fairgate_version_number() == FAIRGATE_C_VERSION_NUMBER);
  CHECK(fairgate_abi_version() == FAIRGATE_ABI_VERSION);
  CHECK(strcmp(fairgate_version_string(), "0.1.0") == 0);
}

static void test_status_names_cover_every_status(void) {
  CHECK(strcmp(fairgate_status_name(FAIRGATE_OK), "FAIRGATE_OK") == 0);
  CHECK(strcmp(fairgate_status_name(FAIRGATE_E_PARSE), "FAIRGATE_E_PARSE") == 0);
  CHECK(strcmp(fairgate_status_name(999), "FAIRGATE_E_UNKNOWN_STATUS") == 0);
}

static void test_null_arguments_give_a_status_and_a_message(void) {
  fairgate_stream* s = NULL;
  uint64_t pos = 0;
  uint32_t tag = 0, word = 0;
  CHECK(fairgate_stream_create(1, NULL, 0, &s) == FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "purpose") != NULL);
  CHECK(fairgate_stream_create(1, "split", 0, NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(strstr(fairgate_last_error_message(), "out") != NULL);
  CHECK(fairgate_stream_seek(NULL, 3) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_stream_position(NULL, &pos) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_purpose_tag(NULL, &tag) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_purpose_tag("split", NULL) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_stream_fill_u32(NULL, &word, 1) == FAIRGATE_E_NULL_POINTER);
  fairgate_stream_destroy(NULL); /* accepted and ignored */
}

static void test_success_clears_the_last_error(void) {
  uint32_t tag = 0;
  CHECK(fairgate_purpose_tag(NULL, &tag) != FAIRGATE_OK);
  CHECK(fairgate_purpose_tag("split", &tag) == FAIRGATE_OK);
  CHECK(strcmp(fairgate_last_error_message(), "") == 0);
}

static void test_purpose_tag_is_fnv1a32_of_the_name(void) {
  /* FNV-1a 32 of "" is the offset basis 2166136261; of "a" it is
   * (2166136261 ^ 0x61) * 16777619 mod 2^32 = 0xe40c292c (hand-computed). */
  uint32_t tag = 0;
  CHECK(fairgate_purpose_tag("", &tag) == FAIRGATE_OK && tag == 2166136261u);
  CHECK(fairgate_purpose_tag("a", &tag) == FAIRGATE_OK && tag == 0xe40c292cu);
}

static void test_stream_seek_and_fill_agree(void) {
  fairgate_stream* s = NULL;
  uint32_t words[16], again[4];
  uint64_t pos = 0;
  CHECK(fairgate_stream_create(42, "bootstrap", 3, &s) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(s, words, 16) == FAIRGATE_OK);
  CHECK(fairgate_stream_position(s, &pos) == FAIRGATE_OK && pos == 16);
  CHECK(fairgate_stream_seek(s, 9) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(s, again, 4) == FAIRGATE_OK);
  CHECK(memcmp(again, words + 9, sizeof again) == 0);
  CHECK(fairgate_stream_fill_u32(s, NULL, 0) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(s, NULL, 5) == FAIRGATE_E_NULL_POINTER);
  fairgate_stream_destroy(s);
}

static void test_two_handles_with_the_same_key_agree(void) {
  fairgate_stream *a = NULL, *b = NULL;
  uint32_t wa[8], wb[8];
  CHECK(fairgate_stream_create(0, "split", 0, &a) == FAIRGATE_OK);
  CHECK(fairgate_stream_create(0, "split", 0, &b) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(a, wa, 8) == FAIRGATE_OK);
  CHECK(fairgate_stream_fill_u32(b, wb, 8) == FAIRGATE_OK);
  CHECK(memcmp(wa, wb, sizeof wa) == 0);
  fairgate_stream_destroy(a);
  fairgate_stream_destroy(b);
}

static void test_penalty_matches_a_hand_computation(void) {
  /* Hinge, τ = 1, demographic parity, max − min (same case as the C++ test):
   * group 0 scores 0, 1 → 1, 2 → 1.5; group 1 scores −1, −0.5 → 0, 0.5 → 0.25;
   * value 1.25, gradient (0.5, 0.5, 0, −0.5). */
  const double s[4] = {0.0, 1.0, -1.0, -0.5};
  const uint8_t y[4] = {1, 0, 1, 0};
  const uint32_t g[4] = {0, 0, 1, 1};
  double grad[4] = {9, 9, 9, 9}, value = 0;
  fairgate_penalty_options o;
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.relaxation = FAIRGATE_RELAX_HINGE;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 4, 2, &value, grad) == FAIRGATE_OK);
  CHECK(value == 1.25);
  CHECK(grad[0] == 0.5 && grad[1] == 0.5 && grad[2] == 0.0 && grad[3] == -0.5);
}

static void test_penalty_rejects_bad_input_without_writing(void) {
  const double s[2] = {0.0, 1.0};
  uint8_t y[2] = {1, 3};
  const uint32_t g[2] = {0, 1};
  double grad[2] = {7, 7}, value = 42;
  fairgate_penalty_options o;
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_OUT_OF_RANGE);
  CHECK(strstr(fairgate_last_error_message(), "labels[1] = 3") != NULL);
  CHECK(value == 42 && grad[0] == 7);
  y[1] = 0;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 1, &value, grad) == FAIRGATE_E_OUT_OF_RANGE);
  o.kind = 17;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(strstr(fairgate_last_error_message(), "options->kind = 17") != NULL);
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  o.struct_size = 8;
  CHECK(fairgate_penalty(&o, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_INVALID_ARGUMENT);
  CHECK(fairgate_penalty(NULL, s, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_penalty_options_init(&o) == FAIRGATE_OK);
  CHECK(fairgate_penalty(&o, NULL, y, g, NULL, 2, 2, &value, grad) == FAIRGATE_E_NULL_POINTER);
  CHECK(fairgate_penalty(&o, NULL, NULL, NULL, NULL, 0, 2, &value, NULL) == FAIRGATE_OK);
}

int main(void) {
  test_versions_agree_with_header();
  test_status_names_cover_every_status();
  test_null_arguments_give_a_status_and_a_message();
  test_success_clears_the_last_error();
  test_purpose_tag_is_fnv1a32_of_the_name();
  test_stream_seek_and_fill_agree();
  test_two_handles_with_the_same_key_agree();
  test_penalty_matches_a_hand_computation();
  test_penalty_rejects_bad_input_without_writing();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
