/* objects: kernel objects for the x86_64-objects sample dump (files, sockets,
 * SysV IPC, signal state), so that kinspect's files, net -s, ipcs and sig have
 * real data to compare with the guest's /proc. Started in the background by
 * workloads/objects.sh; writes /tmp/objects.ready once everything exists, then
 * sleeps until the crash. Prints KINSPECT_FACT lines with what it made. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

static int tcp_listener(int port) {
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0) die("socket");
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (void *)&a, sizeof a) || listen(s, 8)) die("tcp listen");
	return s;
}

static int tcp_connect(int port) {
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || connect(s, (void *)&a, sizeof a)) die("tcp connect");
	return s;
}

static int unix_bound(int type, const char *path) {
	int s = socket(AF_UNIX, type, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strncpy(a.sun_path, path, sizeof a.sun_path - 1);
	unlink(path);
	if (s < 0 || bind(s, (void *)&a, sizeof a)) die("unix bind");
	if (type == SOCK_STREAM && listen(s, 4)) die("unix listen");
	return s;
}

static int unix_connect(int type, const char *path) {
	int s = socket(AF_UNIX, type, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strncpy(a.sun_path, path, sizeof a.sun_path - 1);
	if (s < 0 || connect(s, (void *)&a, sizeof a)) die("unix connect");
	return s;
}

static void on_usr1(int sig) { (void)sig; }

int main(void) {
	/* Files: a regular file written to, a directory, /dev/null. */
	int f = open("/tmp/objects.data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (f < 0 || write(f, "kinspect objects\n", 17) != 17) die("objects.data");
	if (open("/tmp", O_RDONLY | O_DIRECTORY) < 0) die("/tmp");
	if (open("/dev/null", O_WRONLY) < 0) die("/dev/null");

	/* TCP: a listener with one accepted connection (both ends established)
	 * and a second listener whose connection stays in the accept queue. */
	int l1 = tcp_listener(5001);
	int c1 = tcp_connect(5001);
	int a1 = accept(l1, NULL, NULL);
	if (a1 < 0) die("accept");
	if (write(c1, "hello", 5) != 5) die("tcp write");
	int l2 = tcp_listener(5002);
	tcp_connect(5002);
	(void)l2;

	/* UDP: a bound socket and a connected one that sent it a datagram. */
	int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ua = { .sin_family = AF_INET, .sin_port = htons(5003) };
	ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (u1 < 0 || u2 < 0 || bind(u1, (void *)&ua, sizeof ua)) die("udp bind");
	if (connect(u2, (void *)&ua, sizeof ua) || send(u2, "ping", 4, 0) != 4) die("udp send");

	/* UNIX: a listening stream socket with a connected client, a bound
	 * datagram socket, and an anonymous stream pair. */
	int ul = unix_bound(SOCK_STREAM, "/tmp/objects.sock");
	unix_connect(SOCK_STREAM, "/tmp/objects.sock");
	if (accept(ul, NULL, NULL) < 0) die("unix accept");
	unix_bound(SOCK_DGRAM, "/tmp/objects.dgram");
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp)) die("socketpair");

	/* SysV IPC: one segment (attached), a set of 3 semaphores, a queue with
	 * two messages. */
	int shm = shmget(0x6b690001, 8192, IPC_CREAT | 0600);
	if (shm < 0 || shmat(shm, NULL, 0) == (void *)-1) die("shm");
	int sem = semget(0x6b690002, 3, IPC_CREAT | 0640);
	if (sem < 0) die("semget");
	struct sembuf up = { .sem_num = 1, .sem_op = 2 };
	if (semop(sem, &up, 1)) die("semop");
	int msq = msgget(0x6b690003, IPC_CREAT | 0666);
	struct { long type; char text[16]; } m = { 1, "first" };
	if (msq < 0 || msgsnd(msq, &m, 6, 0)) die("msgsnd");
	m.type = 2; strcpy(m.text, "second!");
	if (msgsnd(msq, &m, 8, 0)) die("msgsnd");

	/* Signals: a handler for SIGUSR1, SIGPIPE ignored, SIGUSR2 and SIGTERM
	 * blocked, and SIGUSR2 left pending. */
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigset_t b;
	sigemptyset(&b);
	sigaddset(&b, SIGUSR2);
	sigaddset(&b, SIGTERM);
	sigprocmask(SIG_BLOCK, &b, NULL);
	kill(getpid(), SIGUSR2);

	printf("KINSPECT_FACT objects_pid=%d objects_shmid=%d objects_semid=%d objects_msqid=%d\n",
	       getpid(), shm, sem, msq);
	fflush(stdout);
	close(open("/tmp/objects.ready", O_WRONLY | O_CREAT, 0644));
	for (;;)
		pause();
}
