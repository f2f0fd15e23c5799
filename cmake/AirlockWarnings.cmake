# Warning flags shared by every target of the project (not by third-party code).
add_library(airlock_warnings INTERFACE)
target_compile_options(airlock_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wimplicit-fallthrough -Wno-missing-field-initializers
  # GCC 12 false positives in Asio coroutine frames and scheduler code at -O2.
  -Wno-mismatched-new-delete
  $<$<BOOL:${AIRLOCK_WERROR}>:-Werror>)

# airlock_module(NAME SOURCES... DEPS ...): one library per folder under src/.
function(airlock_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(airlock_${name} STATIC ${M_SOURCES})
  target_include_directories(airlock_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(airlock_${name} PUBLIC ${M_DEPS} PRIVATE airlock_warnings)
endfunction()
