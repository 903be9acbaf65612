// Asio and Beast are compiled once, here, instead of in every file that includes them
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set by the target),
// with Asio's TLS streams (webhooks over https).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
