# The two commands of the quick start. Both install whatever is missing first (scripts/setup.sh).
.PHONY: run test setup size

run:
	./scripts/run.sh $(ARGS)

test:
	./scripts/test.sh

setup:
	./scripts/setup.sh

size:
	./scripts/size.sh
