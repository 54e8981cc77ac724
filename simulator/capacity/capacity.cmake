# Fleet capacity simulation (buy vs rent): sources added to the simulator target.
target_sources(flopcast_simulator PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/capacity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/traces.cpp)
target_link_libraries(flopcast_simulator PRIVATE nlohmann_json::nlohmann_json)
