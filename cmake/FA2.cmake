#===- FA2.cmake - helpers for fa2's own libraries -------------------------===#
# fa2_add_library(name SRCS... [DEPENDS tablegen-targets...] [LINK fa2-libs...])
# A static, position-independent library linked against the shared libMLIR.
function(fa2_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK} ${FA2_MLIR_LIBS})
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>
    ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
  set_property(GLOBAL APPEND PROPERTY FA2_LIBS ${name})
  install(TARGETS ${name} EXPORT FA2Targets ARCHIVE DESTINATION lib)
endfunction()
