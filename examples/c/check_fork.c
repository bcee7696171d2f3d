/*
 * check_fork.c -- the fork guard: after the parent has used the library, a fork()ed child gets
 * GJ_ERR_FORKED with a clear message from every call (it must not hang: the Go runtime does not
 * survive fork), while the parent keeps working. The child reports through its exit status; the
 * parent kills it after 30 s, which counts as a failure (a hang).
 *
 *   check_fork
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "expect.h"
#include "gojammy.h"

static const gj_coords SAVED = GJ_COORDS_INIT(GJ_COORDS_SAVED);

/* in_child runs in the forked child: every kind of call fails fast with GJ_ERR_FORKED. */
static int in_child(uint64_t h) {
    double x[4] = {0.1, 0.2, -0.3, 0.4}, lp[2], samples[4];
    char buf[1024];
    uint64_t h2 = 0;
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "gg");
    EXPECT(gj_pdf_log_density(h, x, 2, 4, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_ERR_FORKED,
           "gj_pdf_log_density: gojammy cannot run in a fork()ed child");
    EXPECT(gj_pdf_sample(h, 2, NULL, 0, 1, &SAVED, samples, 4, NULL, 0, NULL, NULL),
           GJ_ERR_FORKED, "spawn");
    EXPECT(gj_pdf_create(&o, &h2), GJ_ERR_FORKED, "gj_pdf_create");
    EXPECT(gj_version(buf, sizeof buf), GJ_ERR_FORKED, "fork()ed child");
    EXPECT(gj_pdf_last_error(h, buf, sizeof buf), GJ_ERR_FORKED, "gj_version");
    EXPECT(gj_pdf_free(h), GJ_ERR_FORKED, "gj_pdf_free");
    TRUE(gj_abi_version() == GJ_ABI_VERSION);
    return failures ? 1 : 0;
}

int main(void) {
    uint64_t h = 0;
    double x[4] = {0.1, 0.2, -0.3, 0.4}, lp[2], lp_after[2];
    gj_create_options o = GJ_CREATE_OPTIONS_INIT("e2", "gg");
    EXPECT(gj_pdf_create(&o, &h), GJ_OK, NULL);
    EXPECT(gj_pdf_log_density(h, x, 2, 4, NULL, 0, &SAVED, lp, NULL, NULL, 0), GJ_OK, NULL);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) _exit(in_child(h));
    int status = 0, waited = 0;
    while (waitpid(pid, &status, WNOHANG) == 0 && waited < 300) {
        usleep(100000);
        waited++;
    }
    if (waited == 300) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fprintf(stderr, "the forked child hung\n");
        failures++;
    } else {
        checks++;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "the forked child failed its checks (status %d)\n", status);
            failures++;
        }
    }
    EXPECT(gj_pdf_log_density(h, x, 2, 4, NULL, 0, &SAVED, lp_after, NULL, NULL, 0), GJ_OK, NULL);
    TRUE(lp[0] == lp_after[0] && lp[1] == lp_after[1]);
    EXPECT(gj_pdf_free(h), GJ_OK, NULL);
    printf("check_fork: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
