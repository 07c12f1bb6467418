#include "commands/reply.h"
