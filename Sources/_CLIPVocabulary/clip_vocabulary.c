#include "clip_vocabulary.h"

// #embed is C23; the toolchain's clang (which SwiftPM and tools/fuzz/build.sh use) has it in C11 mode too.
#pragma clang diagnostic ignored "-Wc23-extensions"
static const unsigned char vocabulary[] = {
#embed "bpe_simple_vocab_16e6.txt.gz"
};

const unsigned char *vd_clip_bpe_vocabulary_gz(size_t *size) {
    *size = sizeof vocabulary;
    return vocabulary;
}
