/* LD_PRELOAD shim for the privacy test (tests/privacy_test.cpp): every attempt to open an
 * internet socket (AF_INET, AF_INET6) or to connect one is appended to the file named by
 * $LOCO_NET_LOG and fails with EACCES. Local (AF_UNIX) sockets pass through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void note(const char* what, int domain) {
  const char* path = getenv("LOCO_NET_LOG");
  if (path == NULL) return;
  FILE* f = fopen(path, "a");
  if (f == NULL) return;
  fprintf(f, "%s domain=%d pid=%d\n", what, domain, (int)getpid());
  fclose(f);
}

int socket(int domain, int type, int protocol) {
  if (domain == AF_INET || domain == AF_INET6) {
    note("socket", domain);
    errno = EACCES;
    return -1;
  }
  int (*real)(int, int, int) = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
  return real(domain, type, protocol);
}

int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  if (addr != NULL && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) {
    note("connect", addr->sa_family);
    errno = EACCES;
    return -1;
  }
  int (*real)(int, const struct sockaddr*, socklen_t) =
      (int (*)(int, const struct sockaddr*, socklen_t))dlsym(RTLD_NEXT, "connect");
  return real(fd, addr, len);
}
