# `flopcast simulate` end to end (run as a CTest script):
#  1. scenarios/examples/checkpoint-daly.json --level run --format json carries wall_time_s,
#     wall_time_h, failure_free_time_s, and T_w/T_s is within the 95% CI of Daly's 1.3436;
#  2. --level iteration --trace writes a Chrome trace with traceEvents;
#  3. a scenario with a bad simulation key exits 2 with one line naming the JSON pointer;
#  4. a model-library scenario (encoder) simulates one iteration close to its estimate.
set(example ${SOURCE_DIR}/scenarios/examples/checkpoint-daly.json)
execute_process(COMMAND ${FLOPCAST} simulate ${example} --level run --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "simulate --level run failed (${rc}): ${err}")
endif()
foreach(key wall_time_s wall_time_h)
  foreach(stat mean p50)
    string(JSON v ERROR_VARIABLE e GET "${out}" run ${key} ${stat})
    if(e OR NOT v GREATER 0)
      message(FATAL_ERROR "run/${key}/${stat} missing or not > 0: ${e}")
    endif()
  endforeach()
endforeach()
string(JSON ts GET "${out}" run failure_free_time_s)
if(NOT ts GREATER 3600000)
  message(FATAL_ERROR "failure_free_time_s = ${ts}: expected >= 1,000 h")
endif()
string(JSON mean GET "${out}" run wall_to_failure_free_ratio mean)
string(JSON hw GET "${out}" run wall_to_failure_free_ratio ci95_half_width)
# |mean - 1.3436| <= hw + 5e-5, in integer micro-units (CMake has no floating-point math).
macro(to_micro val outvar)
  string(REGEX MATCH "^([0-9]+)\\.?([0-9]*)" _m "${val}")
  set(_i "${CMAKE_MATCH_1}")
  set(_f "${CMAKE_MATCH_2}000000")
  string(SUBSTRING "${_f}" 0 6 _f)
  math(EXPR ${outvar} "${_i} * 1000000 + 1${_f} - 1000000")
endmacro()
to_micro("${mean}" mean_u)
to_micro("${hw}" hw_u)
math(EXPR diff "${mean_u} - 1343600")
if(diff LESS 0)
  math(EXPR diff "0 - ${diff}")
endif()
math(EXPR limit "${hw_u} + 50")
if(diff GREATER limit)
  message(FATAL_ERROR "T_w/T_s mean ${mean} +- ${hw}: Daly's 1.3436 is outside the 95% CI")
endif()

set(trace ${WORK_DIR}/simulate_trace.json)
file(REMOVE ${trace})
execute_process(COMMAND ${FLOPCAST} simulate ${SOURCE_DIR}/scenarios/examples/llama3-70b-h100.json
                        --level iteration --representative-tp --trace ${trace} --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "simulate --level iteration --trace failed (${rc}): ${err}")
endif()
string(JSON step GET "${out}" iteration step_time_s)
if(NOT step GREATER 0)
  message(FATAL_ERROR "iteration/step_time_s = ${step}")
endif()
file(READ ${trace} head LIMIT 200)
if(NOT head MATCHES "traceEvents")
  message(FATAL_ERROR "trace file has no traceEvents")
endif()

set(bad ${WORK_DIR}/bad_simulation.json)
file(READ ${example} text)
string(REPLACE "\"checkpoint_interval_s\": \"auto\"" "\"checkpoint_interval_s\": \"often\"" text "${text}")
file(WRITE ${bad} "${text}")
execute_process(COMMAND ${FLOPCAST} simulate ${bad} --level run
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "/simulation/checkpoint_interval_s")
  message(FATAL_ERROR "bad input: expected exit 2 naming /simulation/checkpoint_interval_s, got ${rc}: ${err}")
endif()

# 4. A model-library scenario (BERT-large on two 8-GPU nodes) simulates one iteration: the step is
#    0-10 % above the zoo estimate's (the simulator's NCCL rings carry twice the inter-node bytes of
#    the estimate's hierarchical all-reduce; tests/simulator/test_zoo_iteration.cpp).
execute_process(COMMAND ${FLOPCAST} simulate ${SOURCE_DIR}/scenarios/examples/bert-large-16gpu.json
                        --level iteration --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "simulate of a model-library scenario failed (${rc}): ${err}")
endif()
string(JSON ratio GET "${out}" iteration ratio_to_estimate)
to_micro("${ratio}" ratio_u)
if(ratio_u LESS 999000 OR ratio_u GREATER 1100000)
  message(FATAL_ERROR "BERT-large 16 GPUs: simulated/estimated step ${ratio}, expected 0.999-1.10")
endif()
