# ctest `layers_include_graph`: fails when a source file includes a header from a layer above
# its own (README.md, "Layers"). Run as: cmake -DSRC=<source dir> -P check_includes.cmake
set(rules
  "sim:models/|io/|experiments/|ann/|analysis/|python/"
  "models:io/|experiments/|ann/|analysis/|python/"
  "io:sim/|models/|experiments/|ann/|analysis/|python/"
  "analysis:sim/|models/|io/|experiments/|ann/|python/"
  "ann:sim/|models/|experiments/|python/"
  "experiments:python/")
set(bad "")
foreach(rule ${rules})
  string(REPLACE ":" ";" parts "${rule}")
  list(GET parts 0 dir)
  list(GET parts 1 forbidden)
  file(GLOB_RECURSE files ${SRC}/${dir}/*.hpp ${SRC}/${dir}/*.cpp ${SRC}/${dir}/*.h)
  foreach(f ${files})
    file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"(${forbidden})")
    foreach(l ${lines})
      file(RELATIVE_PATH rel ${SRC} ${f})
      list(APPEND bad "${rel}: ${l}")
    endforeach()
  endforeach()
endforeach()
if(bad)
  list(JOIN bad "\n" text)
  message(FATAL_ERROR "includes against the layers (README.md, Layers):\n${text}")
endif()
message(STATUS "layers: no include points upwards")
