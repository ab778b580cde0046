/* The few macros of Apple's SDK header that ring's C sources read, so that `cargo check
 * --target aarch64-apple-darwin` can run its build script on Linux without an SDK (the objects
 * are compiled, never linked). Used only by .ci/run's macOS check. */
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_SIMULATOR 0
