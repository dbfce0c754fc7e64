# Compiler flags for the two kinds of code in Cocoon.
#
#  * host code (tools, proxy, tests): full C++20, warnings as errors, optional sanitizers;
#  * freestanding code (the shim and everything it links): no libc, no libstdc++ runtime,
#    no exceptions/RTTI, no stack protector (it would read %fs:0x28, which is the
#    program's TLS), no SSE/AVX (the shim must not clobber the program's vector registers
#    on a syscall), position independent.

set(COCOON_WARNINGS -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough)

set(COCOON_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)

# Host target: warnings and (optionally) sanitizers.
function(cocoon_host_target target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${COCOON_WARNINGS}>)
  if(COCOON_SANITIZE)
    target_compile_options(${target} PRIVATE ${COCOON_SANITIZER_FLAGS})
    target_link_options(${target} PRIVATE ${COCOON_SANITIZER_FLAGS})
  endif()
endfunction()

set(COCOON_FREESTANDING_FLAGS
    -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none
    -mgeneral-regs-only -mno-red-zone -fPIE -fvisibility=hidden -fno-plt
    -fno-sanitize=all -O2 -g)

# Freestanding object library or executable: same sources must also build as host code
# for unit tests, so freestanding-safe code only includes <cstdint>, <cstddef>,
# <type_traits>, <limits>, <new>, <utility> and Cocoon's own headers.
function(cocoon_freestanding_target target)
  target_compile_options(${target} PRIVATE ${COCOON_FREESTANDING_FLAGS}
      $<$<COMPILE_LANGUAGE:CXX>:${COCOON_WARNINGS}>)
  target_compile_definitions(${target} PRIVATE COCOON_FREESTANDING=1)
endfunction()
