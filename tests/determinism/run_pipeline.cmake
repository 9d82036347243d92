# Runs the determinism pipeline with THREADS threads and requires its stdout to
# equal EXPECTED byte for byte (cmake -P, so no shell or diff is needed).
execute_process(COMMAND "${PROGRAM}" --data "${DATA}" --threads "${THREADS}"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message(STATUS "${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "determinism_pipeline --threads ${THREADS} failed (${rc}):\n${err}")
endif()
file(READ "${EXPECTED}" expected)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "determinism_pipeline --threads ${THREADS}: output differs from "
    "${EXPECTED}\n--- expected\n${expected}--- got\n${out}")
endif()
message(STATUS "determinism_pipeline --threads ${THREADS}: output equals pipeline.expected:\n${out}")
