# Runs EXE with ARGS ("|"-separated) and checks its exit code (EXPECT_RC) and that its combined
# stdout+stderr matches REGEX. Used by the hw_cli_* tests: cmake -DEXE=... -DARGS=... -P cli_check.cmake
string(REPLACE "|" ";" arg_list "${ARGS}")
execute_process(COMMAND ${EXE} ${arg_list}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL EXPECT_RC)
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_RC}\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(NOT "${out}${err}" MATCHES "${REGEX}")
  message(FATAL_ERROR "output does not match '${REGEX}'\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED ASCII_ONLY AND ASCII_ONLY)
  if("${out}" MATCHES "[^\t\r\n -~]")
    message(FATAL_ERROR "stdout is not ASCII although it is not a terminal")
  endif()
endif()
