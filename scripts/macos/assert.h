/* Stand-in for the SDK's assert.h (see TargetConditionals.h): check-only compiles. */
#pragma once
#define assert(x) ((void)0)
#define static_assert _Static_assert
