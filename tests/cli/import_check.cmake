# `flopcast import hf --into`: the imported model replaces a scenario's (the desktop app's
# File > Import), the merged scenario estimates; a model kind the scenario's amounts do not fit
# is written but named (exit 2, the validator's pointers); --out without --into is refused.
#   -DEXE=flopcast -DSRC=source dir -DWORK=scratch dir
cmake_minimum_required(VERSION 3.24)

function(fail msg)
  message(FATAL_ERROR "${msg}")
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

execute_process(COMMAND "${EXE}" import hf "${SRC}/tests/data/hf/qwen2-7b.json"
                        --into "${SRC}/scenarios/examples/default.json" --out "${WORK}/qwen.json"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("import --into: exit ${rc}: ${err}")
endif()
file(READ "${WORK}/qwen.json" merged)
string(JSON d_model GET "${merged}" workload model d_model)
string(JSON seq GET "${merged}" workload seq_len)
string(JSON device GET "${merged}" hardware device)
if(NOT d_model EQUAL 3584 OR NOT seq EQUAL 1024 OR NOT device STREQUAL "nvidia-a100-sxm4-80gb")
  fail("merged scenario: d_model ${d_model} (3584), seq_len ${seq} (the scenario's 1024), device ${device}")
endif()
execute_process(COMMAND "${EXE}" estimate "${WORK}/qwen.json" --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  fail("estimate of the merged scenario: exit ${rc}: ${err}")
endif()
string(JSON params GET "${out}" workload params)
if(params LESS 7500000000 OR params GREATER 7700000000)
  fail("estimate of the merged scenario: params ${params}, expected Qwen2 7B's 7.6e9")
endif()

execute_process(COMMAND "${EXE}" import hf "${SRC}/tests/data/hf/vit-base-patch16-224.json"
                        --into "${SRC}/scenarios/examples/default.json" --out "${WORK}/vit.json"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  fail("ViT into a token-counted scenario: exit ${rc}, expected 2")
endif()
if(NOT EXISTS "${WORK}/vit.json")
  fail("ViT into a token-counted scenario: nothing written")
endif()
string(FIND "${err}" "/workload/training_tokens: does not apply to a vit shape" at)
if(at LESS 0)
  fail("ViT into a token-counted scenario: the message does not name /workload/training_tokens: ${err}")
endif()

execute_process(COMMAND "${EXE}" import hf "${SRC}/tests/data/hf/qwen2-7b.json" --out "${WORK}/x.json"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR EXISTS "${WORK}/x.json")
  fail("--out without --into: exit ${rc} (expected 2), or a file was written")
endif()
