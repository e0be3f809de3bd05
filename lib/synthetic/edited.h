// Internal: the generator of SyntheticKind::kEdited and kHeavyReuse
// (docs/synthetic.md), called by GenerateCorpus.
#ifndef STORYCLUSTER_LIB_SYNTHETIC_EDITED_H_
#define STORYCLUSTER_LIB_SYNTHETIC_EDITED_H_

#include "storycluster/synthetic.h"

namespace storycluster {

SyntheticCorpus GenerateEditedCorpus(const SyntheticOptions& options);

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_SYNTHETIC_EDITED_H_
