# Static archives of the libraries Cocoon links (see the note in the top CMakeLists.txt):
# imported targets cocoon::elf, cocoon::seccomp, cocoon::tomlpp (header-only).

function(cocoon_static_library target archive)
  find_library(${target}_ARCHIVE NAMES ${archive} REQUIRED)
  add_library(${target} STATIC IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION ${${target}_ARCHIVE})
endfunction()

cocoon_static_library(cocoon_zlib_static libz.a)
cocoon_static_library(cocoon_zstd_static libzstd.a)
cocoon_static_library(cocoon_elf_static libelf.a)
set_target_properties(cocoon_elf_static PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LIBELF_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "cocoon_zlib_static;cocoon_zstd_static")
cocoon_static_library(cocoon_seccomp_static libseccomp.a)
set_target_properties(cocoon_seccomp_static PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${LIBSECCOMP_INCLUDE_DIRS}")
add_library(cocoon::elf ALIAS cocoon_elf_static)
add_library(cocoon::seccomp ALIAS cocoon_seccomp_static)

add_library(cocoon_tomlpp INTERFACE)
target_include_directories(cocoon_tomlpp SYSTEM INTERFACE ${TOMLPP_INCLUDE_DIRS})
target_compile_definitions(cocoon_tomlpp INTERFACE TOML_HEADER_ONLY=1)
add_library(cocoon::tomlpp ALIAS cocoon_tomlpp)

# Release executables carry their own libstdc++ and libgcc (the sanitizer runtimes want the
# shared ones).
if(NOT COCOON_SANITIZE)
  add_link_options($<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-static-libstdc++>
                   $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-static-libgcc>)
endif()
