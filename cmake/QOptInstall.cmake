# Installs qopt as a CMake package: `find_package(QOpt)` gives the imported
# targets QOpt::QOptQTDialect, QOpt::QOptTransforms, QOpt::QOptPipelines,
# QOpt::QOptTarget, QOpt::QOptSupport and QOpt::QOptInitAll, plus headers.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(QOPT_EXPORTED_LIBS
  QOptQTDialect QOptTransforms QOptConversionUtils QOptQTToLinalg QOptPackedKernels QOptPipelines
  QOptTarget
  QOptSupport QOptReference QOptWeightStorage QOptModel QOptExecution QOptQuantization QOptSparsity
  QOptInitAll)
install(TARGETS ${QOPT_EXPORTED_LIBS} EXPORT QOptTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS qopt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/qopt
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
install(DIRECTORY ${PROJECT_BINARY_DIR}/include/qopt
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.inc")

set(QOPT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/QOpt)
install(EXPORT QOptTargets NAMESPACE QOpt:: DESTINATION ${QOPT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/QOptConfig.cmake.in
  ${PROJECT_BINARY_DIR}/QOptConfig.cmake
  INSTALL_DESTINATION ${QOPT_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/QOptConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/QOptConfig.cmake
  ${PROJECT_BINARY_DIR}/QOptConfigVersion.cmake
  DESTINATION ${QOPT_CMAKE_DIR})
