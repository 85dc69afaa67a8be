#include <chrono>
#include <iostream>
#include <string>

int main() {
  auto t = std::chrono::steady_clock::now();
  volatile unsigned long x = 0;
  while (std::chrono::steady_clock::now() - t < std::chrono::seconds(1)) x++;  // computes first
  std::cout << "ready\n";
  int n;
  std::cout << "Number? ";
  if (!(std::cin >> n)) return 2;
  std::cout << "Double: " << 2 * n << "\n";
  std::cin.ignore(1 << 20, '\n');
  std::string a, b;
  std::cout << "A? ";
  if (!std::getline(std::cin, a)) return 2;
  std::cout << "B? ";
  if (!std::getline(std::cin, b)) return 2;
  std::cout << "Sum: " << std::stoi(a) + std::stoi(b) << "\n";
  return 0;
}
