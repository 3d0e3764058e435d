# AddressSanitizer + UndefinedBehaviorSanitizer twins of our targets.
#
# ipsec_asan_twin(T) makes T_asan: T's sources, include directories,
# definitions and options, built with the sanitizers and linked against the
# _asan twins of the libraries T links (others, e.g. ns-3 or OpenSSL, as
# they are).  So each library is built once with the sanitizers and every
# sanitizer test links those builds.  A library's twin must be made before
# the twins of what links it (subdirectory order does that).
#
# ipsec_asan_test(NAME name COMMAND target [args...] [TIMEOUT s]) registers
# the twin of `target` as a test with leak detection on and our LSan
# suppressions.

include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=address,undefined")
set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=address,undefined")
check_c_source_compiles("int main(void) { return 0; }" IPSEC_HAVE_ASAN)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(NOT IPSEC_HAVE_ASAN)
  message(STATUS "ASan/UBSan not available: no *_asan targets or tests")
endif()

set(IPSEC_ASAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
# abort_on_error: a report fails the test even where the exit status is not
# looked at (a sim test's expected failure).
set(IPSEC_ASAN_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
    "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/test/lsan.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1")

# The _asan twins of the targets in `libs` (which may hold generator
# expressions such as $<LINK_ONLY:x>), in `out`.
function(ipsec_asan_libs out libs)
  set(mapped)
  foreach(lib ${libs})
    string(REGEX REPLACE "^(\\$<LINK_ONLY:)?([^>]+)(>)?$" "\\2" name "${lib}")
    if(TARGET ${name}_asan)
      string(REPLACE "${name}" "${name}_asan" lib "${lib}")
    endif()
    list(APPEND mapped "${lib}")
  endforeach()
  set(${out} "${mapped}" PARENT_SCOPE)
endfunction()

function(ipsec_asan_twin target)
  if(NOT IPSEC_HAVE_ASAN OR TARGET ${target}_asan)
    return()
  endif()
  get_target_property(type ${target} TYPE)
  get_target_property(dir ${target} SOURCE_DIR)
  get_target_property(sources ${target} SOURCES)
  list(TRANSFORM sources PREPEND ${dir}/ REGEX "^[^/]")
  set(twin ${target}_asan)
  if(type STREQUAL "INTERFACE_LIBRARY")
    # a library made of others (model/'s ipsec_model): their twins
    add_library(${twin} INTERFACE)
    get_target_property(value ${target} INTERFACE_LINK_LIBRARIES)
    ipsec_asan_libs(value "${value}")
    set_property(TARGET ${twin} PROPERTY INTERFACE_LINK_LIBRARIES "${value}")
    return()
  endif()
  if(type STREQUAL "EXECUTABLE")
    add_executable(${twin} ${sources})
  else()
    add_library(${twin} STATIC ${sources})
  endif()
  foreach(prop INCLUDE_DIRECTORIES INTERFACE_INCLUDE_DIRECTORIES COMPILE_DEFINITIONS
          COMPILE_OPTIONS LINKER_LANGUAGE RUNTIME_OUTPUT_DIRECTORY)
    get_target_property(value ${target} ${prop})
    if(value)
      set_property(TARGET ${twin} PROPERTY ${prop} "${value}")
    endif()
  endforeach()
  foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(value ${target} ${prop})
    if(value)
      ipsec_asan_libs(value "${value}")
      set_property(TARGET ${twin} PROPERTY ${prop} "${value}")
    endif()
  endforeach()
  target_compile_options(${twin} PRIVATE ${IPSEC_ASAN_FLAGS})
  # Links executables with the sanitizers' runtimes (ignored by archives).
  target_link_options(${twin} PUBLIC ${IPSEC_ASAN_FLAGS})
endfunction()

function(ipsec_asan_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;TIMEOUT" "COMMAND")
  if(NOT IPSEC_HAVE_ASAN)
    return()
  endif()
  list(POP_FRONT arg_COMMAND target)
  ipsec_asan_twin(${target})
  add_test(NAME ${arg_NAME} COMMAND ${target}_asan ${arg_COMMAND})
  set_tests_properties(${arg_NAME} PROPERTIES ENVIRONMENT "${IPSEC_ASAN_ENV}" LABELS asan)
  if(arg_TIMEOUT)
    set_tests_properties(${arg_NAME} PROPERTIES TIMEOUT ${arg_TIMEOUT})
  endif()
endfunction()
