# Runs at install time (cmake --install, CPack), included by the rule in Packaging.cmake with
# machine_binary, machine_completion_dir and machine_zsh_dir set: asks the built binary for each
# shell's completion script and installs it where that shell looks for one. A binary without the
# `completion` command (or failing for a shell) installs none for that shell and says so.
file(MAKE_DIRECTORY "${machine_completion_dir}")
set(dest_bash share/bash-completion/completions)
set(name_bash machine)
set(dest_zsh ${machine_zsh_dir})
set(name_zsh _machine)
set(dest_fish share/fish/vendor_completions.d)
set(name_fish machine.fish)
foreach(shell bash zsh fish)
  execute_process(COMMAND "${machine_binary}" completion ${shell}
    RESULT_VARIABLE rc OUTPUT_VARIABLE script ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR script STREQUAL "")
    string(STRIP "${err}" err)
    message(STATUS "Skipping the ${shell} completion: `machine completion ${shell}` gave "
                   "exit ${rc}: ${err}")
    continue()
  endif()
  set(generated "${machine_completion_dir}/${name_${shell}}")
  file(WRITE "${generated}" "${script}")
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${dest_${shell}}" TYPE FILE
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ FILES "${generated}")
endforeach()
