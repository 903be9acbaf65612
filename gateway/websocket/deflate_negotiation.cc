#include "gateway/websocket/deflate_negotiation.h"

#include <optional>
#include <string>
#include <utility>

namespace gw::websocket {
namespace {

// RFC 7230 §3.2.6 tchar: what an extension or parameter name, or an unquoted value, is made of.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// A window size as RFC 7692 §7.1.2 writes it: 8-15 in decimal, no leading zero.
std::optional<int> WindowBits(std::string_view value) {
  if (value.size() == 1 && value[0] >= '8' && value[0] <= '9') return value[0] - '0';
  if (value.size() == 2 && value[0] == '1' && value[1] >= '0' && value[1] <= '5') {
    return 10 + (value[1] - '0');
  }
  return std::nullopt;
}

// Reads the header one element at a time. Each offer is `name *( ";" param [ "=" value ] )`;
// offers are separated by commas. A malformed offer is skipped up to the next comma outside
// quotes, so a later offer can still be accepted.
class OfferReader {
 public:
  explicit OfferReader(std::string_view text) : text_(text) {}

  bool AtEnd() {
    SkipSpace();
    return at_ == text_.size();
  }

  // Reads one offer (and the comma after it); true when it is one we can honour.
  bool ReadOffer() {
    const bool acceptable = ParseOffer();
    SkipPastComma();
    return acceptable;
  }

 private:
  bool ParseOffer() {
    const std::string_view name = Token();
    if (name.empty() || !EqualsIgnoringCase(name, "permessage-deflate")) return false;
    bool seen_server_no_takeover = false, seen_client_no_takeover = false;
    bool seen_server_bits = false, seen_client_bits = false;
    while (true) {
      SkipSpace();
      if (at_ == text_.size() || text_[at_] == ',') return true;
      if (text_[at_] != ';') return false;
      ++at_;
      SkipSpace();
      const std::string_view parameter = Token();
      if (parameter.empty()) return false;
      SkipSpace();
      std::optional<std::string> value;
      if (at_ < text_.size() && text_[at_] == '=') {
        ++at_;
        SkipSpace();
        value = Value();
        if (!value) return false;
      }
      auto once = [](bool& seen) { return !std::exchange(seen, true); };
      if (EqualsIgnoringCase(parameter, "server_no_context_takeover")) {
        if (value || !once(seen_server_no_takeover)) return false;
      } else if (EqualsIgnoringCase(parameter, "client_no_context_takeover")) {
        if (value || !once(seen_client_no_takeover)) return false;
      } else if (EqualsIgnoringCase(parameter, "server_max_window_bits")) {
        if (!value || !once(seen_server_bits)) return false;
        const std::optional<int> bits = WindowBits(*value);
        if (!bits || *bits < 15) return false;
      } else if (EqualsIgnoringCase(parameter, "client_max_window_bits")) {
        // "I can limit my window": we accept any window, so the answer leaves it out.
        if (!once(seen_client_bits)) return false;
        if (value && !WindowBits(*value)) return false;
      } else {
        return false;
      }
    }
  }

  std::string_view Token() {
    const size_t start = at_;
    while (at_ < text_.size() && IsTokenChar(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }

  // A token, or a quoted-string unquoted (RFC 6455 §9.1: the unquoted text must then be a token).
  std::optional<std::string> Value() {
    if (at_ < text_.size() && text_[at_] == '"') {
      ++at_;
      std::string unquoted;
      while (at_ < text_.size() && text_[at_] != '"') {
        if (text_[at_] == '\\') {
          if (++at_ == text_.size()) return std::nullopt;
        }
        unquoted.push_back(text_[at_++]);
      }
      if (at_ == text_.size()) return std::nullopt;  // no closing quote
      ++at_;
      return unquoted;
    }
    const std::string_view token = Token();
    if (token.empty()) return std::nullopt;
    return std::string(token);
  }

  void SkipSpace() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }

  void SkipPastComma() {
    bool quoted = false;
    while (at_ < text_.size()) {
      const char c = text_[at_++];
      if (quoted && c == '\\' && at_ < text_.size()) {
        ++at_;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        return;
      }
    }
  }

  std::string_view text_;
  size_t at_ = 0;
};

}  // namespace

bool OffersPermessageDeflate(std::string_view extensions) {
  OfferReader reader(extensions);
  while (!reader.AtEnd()) {
    if (reader.ReadOffer()) return true;
  }
  return false;
}

bool IgnoresClientNoContextTakeover(std::string_view user_agent) {
  if (user_agent.find("Safari/") == std::string_view::npos) return false;
  constexpr std::string_view kVersion = "Version/15.";
  const size_t at = user_agent.find(kVersion);
  if (at == std::string_view::npos) return false;
  const std::string_view minor = user_agent.substr(at + kVersion.size());
  return !minor.empty() && minor[0] >= '0' && minor[0] <= '3' &&
         (minor.size() == 1 || minor[1] < '0' || minor[1] > '9');
}

}  // namespace gw::websocket
