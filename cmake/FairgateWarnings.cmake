# fairgate_target_warnings(<target>): the warning set for fairgate's own code.
# Third-party headers come in as SYSTEM includes, so they never trip -Werror.
function(fairgate_target_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wall -Wextra -Wpedantic -Wconversion -Wshadow>
    $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-Wall -Wextra -Wpedantic -Wconversion -Wshadow>)
  if(FAIRGATE_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Werror>
      $<$<COMPILE_LANG_AND_ID:C,GNU,Clang>:-Werror>)
  endif()
endfunction()
