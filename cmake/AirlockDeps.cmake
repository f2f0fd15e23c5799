# Third-party packages, all from Debian 12 (see scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
if(AIRLOCK_TESTS)
  find_package(GTest REQUIRED)
endif()
if(AIRLOCK_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Boost.Asio is header-only; these definitions keep its build lean and coroutine-ready.
add_library(airlock_asio INTERFACE)
target_link_libraries(airlock_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(airlock_asio INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_DISABLE_BOOST_COROUTINE
  # Recycled handler and coroutine-frame memory per thread: the default 2 slots miss on
  # every message of a session (a frame per read, write and timer); 16 hit (issue #13).
  BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=16)

# spdlog is used in its compiled form (libspdlog-dev) with the external fmt.
if(NOT TARGET spdlog::spdlog)
  message(FATAL_ERROR "spdlog::spdlog target missing")
endif()
