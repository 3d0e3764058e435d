/* Stop requests during a run: SIGINT, SIGTERM and SIGHUP end it early, as
 * 'interrupted', with what it measured so far written. */
#ifndef SIM_INTERRUPT_H
#define SIM_INTERRUPT_H

#include <stdbool.h>

/* Installs the handlers and starts the watcher: 0, or -1 with errno. */
int sim_interrupt_start(void);
/* Restores the handlers and ends the watcher; true if a stop was asked. */
bool sim_interrupt_end(void);

#endif
