# Writes build/<preset>/generated/flopcast/version.h with the project version and git sha.
# The sha is re-read at every build (a custom target), so incremental builds stay truthful;
# a source tree without .git (a tarball) reports "unknown".
set(FLOPCAST_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
file(MAKE_DIRECTORY ${FLOPCAST_GENERATED_DIR}/flopcast)
add_custom_target(flopcast_version_header
  COMMAND ${CMAKE_COMMAND}
          -DSRC=${CMAKE_SOURCE_DIR}
          -DOUT=${FLOPCAST_GENERATED_DIR}/flopcast/version.h
          -DVERSION=${PROJECT_VERSION}
          -P ${CMAKE_SOURCE_DIR}/cmake/write_version.cmake
  BYPRODUCTS ${FLOPCAST_GENERATED_DIR}/flopcast/version.h
  COMMENT "flopcast: version header")
add_library(flopcast_version INTERFACE)
target_include_directories(flopcast_version INTERFACE ${FLOPCAST_GENERATED_DIR})
add_dependencies(flopcast_version flopcast_version_header)
