// SHA-256 (FIPS 180-4) for result provenance: the input hash of a scenario.
#pragma once

#include <string>
#include <string_view>

namespace flopcast::scenarios {

std::string sha256_hex(std::string_view data);  // 64 lowercase hex digits

}  // namespace flopcast::scenarios
