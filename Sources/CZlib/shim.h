// zlib (Debian's zlib1g-dev) for the converter: gunzip of the BPE vocabulary.
#include <zlib.h>
