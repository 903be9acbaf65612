// Boost.URL is header-only in Debian's Boost 1.81: its implementation is compiled here, once.
#include <boost/url/src.hpp>
