#include "proxy/search_path.hpp"

#include <cctype>

namespace airlock::proxy {

std::vector<std::string> parse_search_path(std::string_view shown) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < shown.size()) {
    while (i < shown.size() && (shown[i] == ' ' || shown[i] == ',')) ++i;
    if (i >= shown.size()) break;
    std::string item;
    if (shown[i] == '"') {
      ++i;
      while (i < shown.size()) {
        if (shown[i] == '"') {
          if (i + 1 < shown.size() && shown[i + 1] == '"') {
            item.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        item.push_back(shown[i++]);
      }
    } else {
      while (i < shown.size() && shown[i] != ',') {
        item.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(shown[i]))));
        ++i;
      }
      while (!item.empty() && item.back() == ' ') item.pop_back();
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<std::string> substitute_user(std::vector<std::string> path, const std::string& user) {
  for (auto& s : path) {
    if (s == "$user") s = user;
  }
  return path;
}

}  // namespace airlock::proxy
