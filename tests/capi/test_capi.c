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

int main(void) {
  test_versions_agree_with_header();
  test_status_names_cover_every_status();
  test_null_arguments_give_a_status_and_a_message();
  test_success_clears_the_last_error();
  test_purpose_tag_is_fnv1a32_of_the_name();
  test_stream_seek_and_fill_agree();
  test_two_handles_with_the_same_key_agree();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
