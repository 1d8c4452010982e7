// machine-backends.so's build id, which the binary compares with its own before using the module
// (machine/support/backends.h). Not in machine_support: the binary's copy would answer for it.
extern "C" const char* machine_backends_build_v1() { return MACHINE_BUILD_ID; }
