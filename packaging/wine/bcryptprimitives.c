/* Test-only shim for Wine 8 (Debian 12), which lacks ProcessPrng in bcryptprimitives.dll: Rust's
 * standard library calls it at start, so chainsmith.exe does not start under that Wine without it.
 * Put the built DLL beside a test copy of chainsmith.exe; never ship it (Windows has the real one).
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 *
 * Tried 2026-12-01: with it, `wine chainsmith.exe --version` and `check` on the sample work, and
 * `build` writes a bundle byte-identical to the Linux build's. */
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return RtlGenRandom(data, (ULONG)len);
}
