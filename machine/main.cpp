#include "machine/cli/cli.h"

int main(int argc, char** argv) { return machine::cli::run(argc, argv); }
