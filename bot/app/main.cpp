#include "bot/app/app.h"

int main(int argc, char** argv) {
    return muster::run_cli(argc, argv);
}
