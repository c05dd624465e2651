// nfsload: incident 4 of USER-STORIES (NFS clients stuck in __rpc_execute)
// inside the guest. A tiny NFSv3 server on port 2049 answers the MOUNT
// protocol's MNT and every NULL ping, and never answers any other NFS
// call; CLIENTS processes each mount(2) 127.0.0.N:/export with the kernel's
// own text options (no portmapper: port= and mountport= name the server),
// so each mount creates its own nfs_client and hangs in __rpc_execute
// waiting for the reply to its first NFS call (FSINFO).
//
//   nfsload LOGFILE CLIENTS      (returns once the clients are stuck)
//
// LOGFILE gets one line per call the server saw: "answered ..." or
// "never answered prog 100003 vers 3 proc 19 xid 0x... from 127.0.0.N".
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kMountProg = 100005, kNfsProg = 100003, kMaxConns = 32 };

static FILE* logf;

static uint32_t get32(const uint8_t* p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static void put32(uint8_t* p, uint32_t v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static int read_full(int fd, uint8_t* b, size_t n) {
  while (n) {
    ssize_t r = read(fd, b, n);
    if (r <= 0) return -1;
    b += r;
    n -= (size_t)r;
  }
  return 0;
}

// An accepted, successful reply (RFC 5531) with `res` as its results.
static void reply(int fd, uint32_t xid, const uint8_t* res, size_t n) {
  uint8_t b[256];
  size_t len = 24 + n;
  put32(b, 0x80000000u | (uint32_t)len);  // record mark: last fragment
  put32(b + 4, xid);
  put32(b + 8, 1);   // REPLY
  put32(b + 12, 0);  // MSG_ACCEPTED
  put32(b + 16, 0);  // verifier AUTH_NONE
  put32(b + 20, 0);  // of length 0
  put32(b + 24, 0);  // SUCCESS
  memcpy(b + 28, res, n);
  (void)!write(fd, b, 4 + len);
}

// One call from a client: answer it, or log it as never answered.
static int serve(int fd, const char* peer) {
  uint8_t mark[4], msg[4096];
  if (read_full(fd, mark, 4)) return -1;
  uint32_t len = get32(mark) & 0x7fffffffu;
  if (len < 24 || len > sizeof msg || read_full(fd, msg, len)) return -1;
  uint32_t xid = get32(msg), prog = get32(msg + 12), vers = get32(msg + 16), proc = get32(msg + 20);
  if (proc == 0) {  // NULL: every program answers
    reply(fd, xid, NULL, 0);
    fprintf(logf, "answered prog %u vers %u proc 0 xid 0x%08x from %s\n", prog, vers, xid, peer);
  } else if (prog == kMountProg && proc == 1) {  // MNT: a 32-byte handle, AUTH_UNIX
    uint8_t res[4 + 4 + 32 + 4 + 4] = {0};
    put32(res + 4, 32);
    memset(res + 8, 0x4b, 32);
    put32(res + 40, 1);
    put32(res + 44, 1);
    reply(fd, xid, res, sizeof res);
    fprintf(logf, "answered prog %u vers %u proc 1 xid 0x%08x from %s\n", prog, vers, xid, peer);
  } else {
    fprintf(logf, "never answered prog %u vers %u proc %u xid 0x%08x from %s\n", prog, vers, proc, xid, peer);
  }
  fflush(logf);
  return 0;
}

static void server(int lfd) {
  struct pollfd p[kMaxConns];
  char peers[kMaxConns][32];
  int n = 1;
  p[0].fd = lfd;
  p[0].events = POLLIN;
  for (;;) {
    if (poll(p, n, -1) < 0) continue;
    if ((p[0].revents & POLLIN) && n < kMaxConns) {
      struct sockaddr_in a;
      socklen_t al = sizeof a;
      int c = accept(lfd, (struct sockaddr*)&a, &al);
      if (c >= 0) {
        inet_ntop(AF_INET, &a.sin_addr, peers[n], sizeof peers[n]);
        p[n].fd = c;
        p[n].events = POLLIN;
        p[n].revents = 0;
        ++n;
      }
    }
    for (int i = 1; i < n; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (serve(p[i].fd, peers[i]) == 0) continue;
      close(p[i].fd);
      p[i] = p[n - 1];
      memcpy(peers[i], peers[n - 1], sizeof peers[i]);
      --n;
      --i;
    }
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: nfsload LOGFILE CLIENTS\n");
    return 2;
  }
  int clients = atoi(argv[2]);
  logf = fopen(argv[1], "a");
  if (!logf) return 1;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(2049), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(lfd, (struct sockaddr*)&a, sizeof a) || listen(lfd, 16)) {
    perror("nfsload: bind 2049");
    return 1;
  }
  if (fork() == 0) {
    server(lfd);
    _exit(0);
  }
  close(lfd);
  for (int i = 1; i <= clients; ++i) {
    char dir[64], src[64], opts[256];
    snprintf(dir, sizeof dir, "/mnt/nfs%d", i);
    snprintf(src, sizeof src, "127.0.0.%d:/export%d", i, i);
    snprintf(opts, sizeof opts,
             "vers=3,proto=tcp,port=2049,mountport=2049,mountproto=tcp,mountvers=3,nolock,"
             "addr=127.0.0.%d,mountaddr=127.0.0.%d",
             i, i);
    mkdir(dir, 0755);
    pid_t pid = fork();
    if (pid == 0) {
      if (mount(src, dir, "nfs", 0, opts)) fprintf(logf, "mount %s: %s\n", src, strerror(errno));
      else fprintf(logf, "mount %s: mounted\n", src);
      fflush(logf);
      _exit(0);
    }
    printf("KINSPECT_FACT nfs_client%d_pid=%d\n", i, (int)pid);
  }
  fflush(stdout);
  sleep(3);  // the mounts reach their first unanswered NFS call
  return 0;
}
