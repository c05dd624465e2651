/* mthread N: a multi-threaded process for the sample dumps. Starts N threads
 * named mthread-1..N: odd ones sleep in nanosleep(), even ones block on a
 * condition variable (futex); the main thread blocks in pthread_join(). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *worker(void *arg)
{
	long n = (long)arg;
	char name[16];

	snprintf(name, sizeof(name), "mthread-%ld", n);
	prctl(PR_SET_NAME, name);
	if (n % 2) {
		for (;;)
			sleep(100000);
	}
	pthread_mutex_lock(&lock);
	for (;;)
		pthread_cond_wait(&never, &lock);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 4;
	pthread_t t[64];

	if (n < 1 || n > 64)
		n = 4;
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(i + 1)))
			return 1;
	pthread_join(t[0], NULL);
	return 0;
}
