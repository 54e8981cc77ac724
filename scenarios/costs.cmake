# Buy vs rent / fleet capacity (cost engineer): the costs runner and the embedded price table.
set(FLOPCAST_PRICES_JSON ${CMAKE_CURRENT_SOURCE_DIR}/data/prices/cloud_prices.json)
set(FLOPCAST_PRICES_CPP ${CMAKE_CURRENT_BINARY_DIR}/embedded_cloud_prices.cpp)
add_custom_command(
  OUTPUT ${FLOPCAST_PRICES_CPP}
  COMMAND ${CMAKE_COMMAND} -DIN=${FLOPCAST_PRICES_JSON} -DOUT=${FLOPCAST_PRICES_CPP}
          -DNAME=flopcast_cloud_prices_json -P ${CMAKE_CURRENT_SOURCE_DIR}/embed.cmake
  DEPENDS ${FLOPCAST_PRICES_JSON} ${CMAKE_CURRENT_SOURCE_DIR}/embed.cmake
  COMMENT "Embedding scenarios/data/prices/cloud_prices.json"
  VERBATIM)
target_sources(flopcast_scenarios PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/costs_runner.cpp ${FLOPCAST_PRICES_CPP})
target_link_libraries(flopcast_scenarios PUBLIC flopcast::simulator)
