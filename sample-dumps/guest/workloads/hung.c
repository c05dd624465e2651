/* hung: real lock waits for the x86_64-hung sample dump, made from user space,
 * so that kinspect's `triage` has D-state tasks, lock owners and a wait-for
 * chain to find. Started in the background by workloads/hung.sh.
 *
 * The trick: a userfaultfd region that nobody serves. A write() whose source
 * buffer lies in it faults inside the kernel's copy from user space and sleeps
 * in handle_userfault() forever, while still holding the lock the write took:
 *   - thread hung-pipe-hold: write(pipe A) holds pipe A's pipe_inode_info.mutex
 *     (pipe_write copies from user space under __pipe_lock);
 *   - thread hung-file-hold: write(tmpfs file) holds the inode's i_rwsem for
 *     writing (generic_file_write_iter: inode_lock, then the prefault).
 * Then, each in D state:
 *   - hung-pipe-w (write) and hung-pipe-r (read) wait for pipe A's mutex;
 *   - hung-splice: splice(pipe B -> file) takes pipe B's mutex, then waits
 *     for the file's i_rwsem (iter_file_splice_write -> vfs_iter_write);
 *   - hung-file-w, on its own open file, waits for the file's i_rwsem too;
 *   - hung-fpos writes through hung-file-hold's struct file, so it waits for
 *     that file's f_pos_lock mutex (fdget_pos), held by hung-file-hold;
 *   - hung-chain: write(pipe B) waits for pipe B's mutex, held by hung-splice:
 *     the chain hung-chain -> mutex B -> hung-splice -> i_rwsem -> hung-file-hold.
 * Prints KINSPECT_FACT lines with every pid, writes /tmp/hung.ready once all
 * waiters are queued, then sleeps until the crash (keeping the uffd open: a
 * closed one would make the faults fail with SIGBUS instead of sleeping). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(1); }

static int pipe_a[2], pipe_b[2], file_fd;
static char *region;
static long page;

static void *pipe_holder(void *arg) {
	(void)arg;
	prctl(PR_SET_NAME, "hung-pipe-hold");
	printf("KINSPECT_FACT hung_pipe_holder=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	write(pipe_a[1], region, page);  /* never returns */
	return NULL;
}

static void *file_holder(void *arg) {
	(void)arg;
	prctl(PR_SET_NAME, "hung-file-hold");
	printf("KINSPECT_FACT hung_file_holder=%ld\n", (long)syscall(SYS_gettid));
	fflush(stdout);
	write(file_fd, region + page, page);  /* never returns */
	return NULL;
}

/* A child process named `name` that runs one blocking call. */
static pid_t child(const char *name, int what) {
	pid_t p = fork();
	if (p < 0) die("fork");
	if (p > 0) return p;
	prctl(PR_SET_NAME, name);
	char c = 'x';
	loff_t off = 0;
	switch (what) {
	case 0: write(pipe_a[1], &c, 1); break;
	case 1: read(pipe_a[0], &c, 1); break;
	case 2: splice(pipe_b[0], NULL, file_fd, &off, 4, 0); break;
	case 3: {
		int fd = open("/tmp/hung.file", O_WRONLY);
		write(fd, &c, 1);
		break;
	}
	case 4: write(pipe_b[1], &c, 1); break;
	case 5: write(file_fd, &c, 1); break;
	}
	_exit(0);
}

int main(void) {
	page = sysconf(_SC_PAGESIZE);
	if (pipe(pipe_a) || pipe(pipe_b)) die("pipe");
	file_fd = open("/tmp/hung.file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (file_fd < 0) die("open");
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0) die("userfaultfd");
	struct uffdio_api api = { .api = UFFD_API };
	if (ioctl(uffd, UFFDIO_API, &api)) die("UFFDIO_API");
	region = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) die("mmap");
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)region, .len = 2 * page },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) die("UFFDIO_REGISTER");
	if (write(pipe_b[1], "data", 4) != 4) die("write pipe b");

	pthread_t t1, t2;
	pthread_create(&t1, NULL, pipe_holder, NULL);
	pthread_create(&t2, NULL, file_holder, NULL);
	usleep(500000);
	pid_t pw = child("hung-pipe-w", 0);
	usleep(100000);
	pid_t pr = child("hung-pipe-r", 1);
	pid_t sp = child("hung-splice", 2);
	usleep(300000);
	pid_t fw = child("hung-file-w", 3);
	pid_t ch = child("hung-chain", 4);
	pid_t fp = child("hung-fpos", 5);
	usleep(300000);
	printf("KINSPECT_FACT hung_pid=%d hung_pipe_w=%d hung_pipe_r=%d hung_splice=%d"
	       " hung_file_w=%d hung_chain=%d hung_fpos=%d\n", getpid(), pw, pr, sp, fw, ch, fp);
	fflush(stdout);
	close(open("/tmp/hung.ready", O_WRONLY | O_CREAT, 0644));
	for (;;) pause();
}
