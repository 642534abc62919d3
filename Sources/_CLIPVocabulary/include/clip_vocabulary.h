#ifndef VD_CLIP_VOCABULARY_H
#define VD_CLIP_VOCABULARY_H
#include <stddef.h>

/// OpenAI CLIP's BPE vocabulary file `bpe_simple_vocab_16e6.txt.gz`, byte for byte (LICENSE-CLIP-BPE.txt), built
/// into the binary so that convert-weights needs no file beside it or in a checkout. Sets *size to its length.
const unsigned char *vd_clip_bpe_vocabulary_gz(size_t *size);

#endif
