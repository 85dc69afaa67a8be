# expect: ok
# $1 = a host directory outside the workspace. Leaves links for the host-side cleanup to trip on.
ln -s /etc/passwd passwd_link
ln -s / root_link
ln -s "$1" outside_link
mkdir -p deep/er
ln -s "$1" deep/er/outside_link
ln -s ../../../../../../.. deep/er/up
ln -s /etc deep/etc_link
mkfifo fifo
echo planted
