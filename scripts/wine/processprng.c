/* ProcessPrng for Wine releases that lack it (Debian 12's Wine 8.0).
 *
 * Rust's standard library on Windows draws its random numbers from ProcessPrng in
 * bcryptprimitives.dll (Windows 10 and later). Wine added that export in 9.x; on 8.0 every
 * Rust program aborts at its first HashMap. This DLL provides the one function, on top of
 * RtlGenRandom (advapi32's SystemFunction036), and is loaded only by the test prefix that
 * scripts/windows-check.sh sets up. It is never part of bsr. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
